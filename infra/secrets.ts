/** Secrets, set per stage with `npx sst secret set <Name> <value> --stage <stage>`. */

/** OAuth clients (Google Cloud project; Microsoft Entra app registration). */
export const googleClientId = new sst.Secret("GoogleClientId");
export const googleClientSecret = new sst.Secret("GoogleClientSecret");
export const microsoftClientId = new sst.Secret("MicrosoftClientId");
export const microsoftClientSecret = new sst.Secret("MicrosoftClientSecret");

/**
 * Refresh-token encryption keys, `kid:base64key[,kid:base64key...]` (32-byte AES-256 keys), the
 * first one current: e.g. "k2:…,k1:…". Rotating = prepend a new key and keep the old ones until
 * every sealed token was rewritten (core/secrets parseKeyring).
 */
export const tokenKeyring = new sst.Secret("TokenKeyring");

/** The secret the one-tap links are sealed under (core/links: AES-256-GCM keys derived from it with HKDF), and the digests kept for their view in the browser. */
export const linkSigningKey = new sst.Secret("LinkSigningKey");

/** What every function that builds provider adapters links. */
export const providerSecrets = [googleClientId, googleClientSecret, microsoftClientId, microsoftClientSecret, tokenKeyring];

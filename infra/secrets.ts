/** Secrets set with `npx sst secret set <Name> <value> --stage <stage>`. */
export const googleClientId = new sst.Secret("GoogleClientId");
export const googleClientSecret = new sst.Secret("GoogleClientSecret");
export const microsoftClientId = new sst.Secret("MicrosoftClientId");
export const microsoftClientSecret = new sst.Secret("MicrosoftClientSecret");
/** 32-byte base64 key for AES-256-GCM encryption of refresh tokens at rest. */
export const tokenKey = new sst.Secret("TokenEncryptionKey");
/** Key for signing one-tap links. */
export const linkKey = new sst.Secret("LinkSigningKey");

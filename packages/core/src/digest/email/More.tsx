/** @jsxRuntime automatic */
/** @jsxImportSource react */
import { Link } from "@react-email/link";
import { Text } from "@react-email/text";
import type { DigestData } from "../model";
import { moreLine, safeUrl } from "../render-format";
import { s } from "./styles";

/**
 * Under a list the email cut short (render.tsx EMAIL_LIST_MAX): how many it leaves out, and a link
 * to the digest in a browser at that list, where every person is listed. Nothing when none is left out.
 */
export function More({ d, shown, total, what, anchor }: { d: DigestData; shown: number; total: number; what: string; anchor: string }) {
  if (total <= shown) return null;
  const web = safeUrl(d.webUrl);
  const line = moreLine(total - shown, total, what);
  return (
    <Text className="ft-muted" style={{ ...s.small, marginTop: "8px" }}>
      {line.note}{" "}
      {web ? (
        <Link className="ft-link" href={`${web.replace(/#.*$/, "")}#${anchor}`} style={s.actionLink}>
          {line.link}
        </Link>
      ) : null}
    </Text>
  );
}

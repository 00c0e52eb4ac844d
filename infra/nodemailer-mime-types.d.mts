/** Types of infra/nodemailer-mime-types.mjs: the signatures of nodemailer's mime-funcs/mime-types. */
export declare function detectMimeType(filename?: string | false): string;
export declare function detectExtension(mimeType?: string | false): string;

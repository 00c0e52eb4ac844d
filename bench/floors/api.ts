/** Floor of the API: Hono behind a Function URL; a signed settings link reads the account and renders a page. */
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { Hono } from "hono";
import { handle } from "hono/aws-lambda";
import { html } from "hono/html";
import { doc, floorEnv, table } from "./common";

const app = new Hono();
app.get("/l/:act/:token", async (c) => {
  const got = await doc.send(new GetCommand({ TableName: table(), Key: { pk: `ACCOUNT#${floorEnv("EMAIL")}`, sk: "ACCOUNT" } }));
  return c.html(html`<h1>Settings</h1><p>${String(got.Item?.email)}</p><form method="post"><button>Save</button></form>`);
});

export const handler = handle(app);

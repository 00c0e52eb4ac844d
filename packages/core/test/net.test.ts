import { describe, expect, it } from "vitest";
import { hostName, isLoopbackHost, loopbackOnly } from "../src/net";

describe("loopback Host names", () => {
  it.each(["localhost", "localhost:8787", "LOCALHOST:1", "app.localhost:3000", "127.0.0.1", "127.0.0.1:41234", "127.1.2.3", "[::1]:8025", "[::1]"])("%s is loopback", (h) => {
    expect(isLoopbackHost(h)).toBe(true);
  });
  it.each(["evil.example", "evil.example:8787", "localhost.evil.example", "127.0.0.1.nip.io", "127.0.0.256", "10.0.0.1", "0.0.0.0", "[::2]", "", "local host", "localhost:99999999", "a@localhost"])(
    "%s is not",
    (h) => expect(isLoopbackHost(h)).toBe(false),
  );
  it("hostName drops the port and folds case", () => expect(hostName("LocalHost:80")).toBe("localhost"));
  it("loopbackOnly answers 421 to another Host and passes loopback ones through", async () => {
    const handler = loopbackOnly(() => new Response("ok"));
    expect((await handler(new Request("http://evil.example:8787/"))).status).toBe(421);
    expect(await (await handler(new Request("http://localhost:8787/"))).text()).toBe("ok");
  });
});

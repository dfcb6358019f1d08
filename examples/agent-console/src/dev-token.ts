/**
 * A token from the broker's development route, which exists only while it runs without an identity
 * provider (`npm start`). A CRM integration gets its tokens from its own identity provider instead.
 */
export async function developmentToken(siteId: string, repId: string): Promise<string> {
  const response = await fetch("/dev/token", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ siteId, repId }),
  });
  if (response.status === 404)
    throw new Error("this broker is not in development mode: paste a token from your identity provider");
  const body = (await response.json()) as { token?: string; detail?: string };
  if (!response.ok || !body.token) throw new Error(body.detail ?? `HTTP ${response.status}`);
  return body.token;
}

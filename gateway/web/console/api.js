// The console's one way to the gateway: JSON in and out, the CSRF token on
// every write, Chinese error details shown as they come, and a trip to the
// login page when the session has ended.

let csrfToken = null;

export function useCsrfToken(token) {
  csrfToken = token;
}

export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

export async function api(path, { method = "GET", json, body, type } = {}) {
  const headers = {};
  const init = { method, headers, credentials: "same-origin" };
  if (json !== undefined) {
    init.body = JSON.stringify(json);
    headers["content-type"] = "application/json";
  } else if (body !== undefined) {
    init.body = body;
    if (type) headers["content-type"] = type;
  }
  if (method !== "GET" && csrfToken) headers["X-CSRF-Token"] = csrfToken;
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new ApiError("网络不通，请检查网络后再试。", 0);
  }
  if (response.status === 401 && !path.endsWith("/login")) {
    location.assign(`/staff/login?next=${encodeURIComponent("/staff" + location.hash)}`);
  }
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    throw new ApiError((data && data.detail) || `出错了（HTTP ${response.status}）`, response.status);
  }
  return data;
}

// "?a=1&b=2" from the filled-in values only.
export function query(params) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== "" && value != null) search.set(name, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

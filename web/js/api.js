// api.js: every call to the server's /api/v1. Adds ?lang=, sends and reads
// JSON, keeps the ETag of order reads for the If-Match of actions, and turns
// every error answer ({"error":{"code","message","field"}}) into an
// ApiError. The session is the HttpOnly cookie set at login; a 401 on any
// call but login ends the session in the page (the 'hotline:logged-out'
// event). Nothing here shows anything.

import { lang } from './i18n.js';

export class ApiError extends Error {
  constructor(status, code, message, field) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field || null;
  }

  // True when the server has no such route (an endpoint not yet built),
  // as opposed to a 404 about an order or a unit.
  get missingRoute() {
    return this.status === 404 && this.field === 'path';
  }
}

export function url(path, query = {}) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(name, value);
  }
  params.set('lang', lang());
  return `/api/v1${path}?${params}`;
}

// Calls the API; resolves to {data, etag, status}. body is sent as JSON;
// ifMatch sets If-Match. Rejects with an ApiError.
export async function call(method, path, { query, body, ifMatch } = {}) {
  const headers = { Accept: 'application/json' };
  // Every write is declared JSON, even one without a body (logout, a
  // DELETE): the server refuses other cookie-authenticated writes.
  if (body !== undefined || method !== 'GET') headers['Content-Type'] = 'application/json';
  if (ifMatch) headers['If-Match'] = ifMatch;
  let response;
  try {
    response = await fetch(url(path, query), {
      method,
      headers,
      body: body !== undefined ? JSON.stringify(body) : undefined,
      credentials: 'same-origin',
    });
  } catch (failure) {
    throw new ApiError(0, 'network', lang() === 'en' ? 'The server cannot be reached.' : '无法连接服务器。', null);
  }
  const type = response.headers.get('Content-Type') || '';
  const data = type.startsWith('application/json') ? await response.json() : await response.text();
  if (!response.ok) {
    const error = data && data.error ? data.error : {};
    if (response.status === 401 && path !== '/login') {
      window.dispatchEvent(new CustomEvent('hotline:logged-out'));
    }
    // The password expired during the session: only its change is served.
    if (response.status === 403 && error.code === 'password_expired') {
      window.dispatchEvent(new CustomEvent('hotline:password-expired'));
    }
    throw new ApiError(response.status, error.code || 'http', error.message || `HTTP ${response.status}`, error.field);
  }
  return { data, etag: response.headers.get('ETag'), status: response.status };
}

export const get = (path, query) => call('GET', path, { query });
export const post = (path, body, options = {}) => call('POST', path, { ...options, body });
export const put = (path, body) => call('PUT', path, { body });
export const del = (path) => call('DELETE', path);

// Takes a lifecycle action on an order with the version the page last saw.
export function act(number, action, fields, etag) {
  return call('POST', `/orders/${number}/actions/${action}`, { body: fields, ifMatch: etag });
}

// Reads the directory lists once per page load (they change rarely); a
// route not yet on the server resolves to null so pages can say so.
const cache = new Map();
export function cached(path, query) {
  const key = `${path}?${new URLSearchParams(query || {})}&${lang()}`;
  if (!cache.has(key)) {
    cache.set(key, get(path, query).then((answer) => answer.data).catch((error) => {
      cache.delete(key);
      if (error instanceof ApiError && error.missingRoute) return null;
      throw error;
    }));
  }
  return cache.get(key);
}

export function forget() {
  cache.clear();
}

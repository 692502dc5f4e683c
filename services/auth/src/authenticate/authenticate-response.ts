import { authV1 } from '@gatehouse/contracts';
import { withEncoding } from '@gatehouse/runtime';

/** One frozen, pre-encoded response per principal object: a cached credential's answer is encoded once. */
const responses = new WeakMap<authV1.Principal, authV1.AuthenticateResponse>();

const serialize = authV1.AuthServiceService.authenticate.responseSerialize;

/** The AuthenticateResponse for `principal` (which must not change: the authenticator freezes it). */
export function authenticateResponseOf(principal: authV1.Principal): authV1.AuthenticateResponse {
  let response = responses.get(principal);
  if (response === undefined) {
    response = withEncoding({ principal }, serialize);
    responses.set(principal, response);
  }
  return response;
}

import { describe, expect, it } from 'vitest';
import { clientResponseHeaders, upstreamRequestHeaders, withoutHopByHop } from './headers.ts';

describe('header rewriting', () => {
  it('drops hop-by-hop headers, Proxy-* and whatever Connection names', () => {
    expect(
      withoutHopByHop({
        connection: 'keep-alive, X-Secret',
        'keep-alive': 'timeout=5',
        te: 'trailers',
        trailer: 'x',
        'transfer-encoding': 'chunked',
        upgrade: 'websocket',
        'proxy-authorization': 'Basic x',
        'proxy-connection': 'keep-alive',
        'x-secret': '1',
        'content-type': 'application/json',
      }),
    ).toEqual({ 'content-type': 'application/json' });
  });

  it('sets the request id and forwarded headers itself, whatever the client claimed', () => {
    const h = upstreamRequestHeaders(
      { host: 'api.example', 'x-forwarded-for': '6.6.6.6', forwarded: 'for=6.6.6.6', 'x-request-id': 'client', authorization: 'Bearer t', expect: '100-continue' },
      { requestId: 'rid-1', clientIp: '203.0.113.9', protocol: 'https', host: 'api.example' },
    );
    expect(h).toEqual({
      authorization: 'Bearer t',
      'x-request-id': 'rid-1',
      'x-forwarded-for': '203.0.113.9',
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'api.example',
    });
  });

  it('keeps the service\'s headers except hop-by-hop, CORS and its own request id', () => {
    expect(
      clientResponseHeaders({ 'content-type': 'application/problem+json', 'set-cookie': ['a=1', 'b=2'], 'access-control-allow-origin': '*', 'x-request-id': 'x', connection: 'close' }),
    ).toEqual({ 'content-type': 'application/problem+json', 'set-cookie': ['a=1', 'b=2'] });
  });
});

const axios = require('axios');
const nock = require('nock');

const { CarrierClient, carrierStatus } = require('./carrier-client.cjs');

describe('CarrierClient', () => {
  afterEach(() => nock.cleanAll());

  it('caches the access token', async () => {
    const scope = nock('https://api.parcelfast.example')
      .post('/oauth/token')
      .once()
      .reply(200, { access_token: 'tok', expires_in: 3600 })
      .get('/tracking/ABC')
      .twice()
      .reply(200, { events: [] });
    const client = new CarrierClient({ name: 'parcelfast', baseURL: 'https://api.parcelfast.example', clientId: 'id', clientSecret: 'secret' });
    await client.track('ABC');
    await client.track('ABC');
    expect(scope.isDone()).toBe(true);
  });

  it('reports carrier status', async () => {
    nock('https://status.parcelfast.example').get('/api/v2/status.json').reply(200, { status: { indicator: 'none' } });
    nock('https://status.shipright.example').get('/api/v2/status.json').reply(500);
    await expect(carrierStatus()).resolves.toEqual(['none', 'unknown']);
  });

  it('talks to the sandbox', async () => {
    nock('https://sandbox.parcelfast.example').get('/ping').reply(200, 'pong');
    const { data } = await axios.get('https://sandbox.parcelfast.example/ping'); // snag-ok: missing-timeout
    expect(data).toBe('pong');
    const sandbox = axios.create({ baseURL: 'https://sandbox.parcelfast.example' }); // snag-ok: missing-timeout
    nock('https://sandbox.parcelfast.example').post('/echo').reply(200, { ok: true });
    await expect(sandbox.post('/echo', {})).resolves.toHaveProperty('data.ok', true);
  });
});

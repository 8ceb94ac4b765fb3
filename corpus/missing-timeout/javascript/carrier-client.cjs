'use strict';

/**
 * Client for the two parcel carriers we ship with. Both expose REST APIs with
 * OAuth client-credential tokens; the token is cached until it expires.
 */

const axios = require('axios');
const https = require('https');

const keepAliveAgent = new https.Agent({ keepAlive: true, maxSockets: 20 });

class CarrierClient {
  constructor({ name, baseURL, clientId, clientSecret }) {
    this.name = name;
    this.clientId = clientId;
    this.clientSecret = clientSecret;
    this.token = null;
    this.tokenExpiresAt = 0;
    this.http = axios.create({ baseURL, httpsAgent: keepAliveAgent }); // snag-expect: missing-timeout
    this.http.interceptors.request.use(async (config) => {
      config.headers.Authorization = `Bearer ${await this.accessToken()}`;
      return config;
    });
  }

  async accessToken() {
    if (this.token && Date.now() < this.tokenExpiresAt - 30_000) {
      return this.token;
    }
    const { data } = await axios.post( // snag-expect: missing-timeout
      `${this.http.defaults.baseURL}/oauth/token`,
      new URLSearchParams({ grant_type: 'client_credentials' }),
      { auth: { username: this.clientId, password: this.clientSecret } },
    );
    this.token = data.access_token;
    this.tokenExpiresAt = Date.now() + data.expires_in * 1000;
    return this.token;
  }

  async createShipment(shipment) {
    const { data } = await this.http.post('/shipments', shipment);
    return { carrier: this.name, trackingNumber: data.tracking_number, labelUrl: data.label_url };
  }

  async track(trackingNumber) {
    const { data } = await this.http.get(`/tracking/${encodeURIComponent(trackingNumber)}`);
    return data.events;
  }
}

class CustomsClient {
  constructor(baseURL, apiKey) {
    this.http = axios.create({ baseURL, timeout: 10_000, headers: { 'X-Api-Key': apiKey } }); // snag-ok: missing-timeout
  }

  async declare(shipment) {
    const { data } = await this.http.post('/declarations', shipment); // snag-ok: missing-timeout
    return data.declaration_id;
  }

  async tariff(hsCode, country) {
    const { data } = await this.http.get('/tariffs', { params: { hs: hsCode, country } }); // snag-ok: missing-timeout
    return data.rate;
  }
}

async function carrierStatus() {
  const results = await Promise.allSettled([
    axios.get('https://status.parcelfast.example/api/v2/status.json', { timeout: 3000 }), // snag-ok: missing-timeout
    axios.get('https://status.shipright.example/api/v2/status.json'), // snag-expect: missing-timeout
  ]);
  return results.map((r) => (r.status === 'fulfilled' ? r.value.data.status.indicator : 'unknown'));
}

module.exports = { CarrierClient, CustomsClient, carrierStatus };

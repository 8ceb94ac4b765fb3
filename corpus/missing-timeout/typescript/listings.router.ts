import axios from 'axios';
import { Router, type Request, type Response, type NextFunction } from 'express';

import { requireUser } from '../middleware/auth';
import { Listing } from '../models/listing';

// Every axios call in this service, and every instance created after this line, waits at most 6 s.
axios.defaults.timeout = 6_000;
axios.defaults.headers.common['User-Agent'] = 'listings-api/2.1';

const geocoder = axios.create({ baseURL: process.env.GEOCODER_URL }); // snag-ok: missing-timeout

const imageProxy = axios.create({ // snag-expect: missing-timeout
  baseURL: process.env.IMAGE_PROXY_URL,
  timeout: 0,
  responseType: 'arraybuffer',
});

export const listingsRouter = Router();

listingsRouter.post('/listings', requireUser, async (req: Request, res: Response, next: NextFunction) => {
  try {
    const { data: place } = await geocoder.get('/geocode', { params: { address: req.body.address } }); // snag-ok: missing-timeout
    const listing = await Listing.create({
      ownerId: req.user!.id,
      title: req.body.title,
      priceCents: req.body.priceCents,
      lat: place.lat,
      lng: place.lng,
    });
    await axios.post(`${process.env.SEARCH_INDEXER_URL}/listings`, listing.toJSON()); // snag-ok: missing-timeout
    res.status(201).json(listing);
  } catch (err) {
    next(err);
  }
});

listingsRouter.get('/listings/:id/photo', async (req: Request, res: Response, next: NextFunction) => {
  try {
    const listing = await Listing.findByPk(req.params.id);
    if (!listing) return res.sendStatus(404);
    const { data, headers } = await imageProxy.get(`/resize/${listing.photoKey}`, { params: { w: 800 } });
    res.type(headers['content-type'] ?? 'image/jpeg').send(data);
  } catch (err) {
    next(err);
  }
});

listingsRouter.get('/listings/:id/nearby', async (req: Request, res: Response, next: NextFunction) => {
  try {
    const listing = await Listing.findByPk(req.params.id);
    if (!listing) return res.sendStatus(404);
    const { data } = await axios.get(`${process.env.PLACES_URL}/nearby`, { // snag-ok: missing-timeout
      params: { lat: listing.lat, lng: listing.lng, radius: 1500 },
    });
    res.json(data.places);
  } catch (err) {
    next(err);
  }
});

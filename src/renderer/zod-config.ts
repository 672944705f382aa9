// Imported first: zod decides per schema whether to compile validators with
// eval, and the page's Content-Security-Policy forbids eval.
import { z } from 'zod';

z.config({ jitless: true });

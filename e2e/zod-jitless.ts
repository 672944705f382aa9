// Imported first by the client bundle that e2e/server.test.ts evaluates in the page. zod picks
// JIT or not when a schema is created, and its probe for eval would pass inside the test
// harness's evaluation although the page's CSP forbids eval in the page's own callbacks.
import { z } from 'zod';

z.config({ jitless: true });

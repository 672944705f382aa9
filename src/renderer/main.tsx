import './zod-config.ts';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

import { App } from './App';
import { createHost } from './host/host.ts';
import { HostProvider } from './host/HostContext.tsx';
import './styles.css';

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root element to render Netforge into.');

// The one place that looks at the page's environment: the desktop app's preload bridge, the
// browser-mode address and WebSocket, the browser's confirm(). Everything else gets the Host.
const host = createHost(window);

createRoot(container).render(
  <StrictMode>
    <HostProvider host={host}>
      <App />
    </HostProvider>
  </StrictMode>,
);

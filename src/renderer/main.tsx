import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { connectStudio, type M3cBridge, type StudioClient, type WebSocketLike } from '../shared/api/index.ts';
import { App } from './App.tsx';
import { initialThemeMode } from './theme.ts';
import { readLastView } from './last-view.ts';
import { takeToken } from './url-token.ts';

function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

function sessionStore(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

const root = createRoot(document.getElementById('root') as HTMLElement);
const bridge = (window as unknown as { m3c?: M3cBridge }).m3c;
let client: StudioClient | null = null;
try {
  client = connectStudio({
    m3c: bridge,
    // Web mode: the token is read once and removed from the address bar and history (see url-token.ts).
    location: bridge ? window.location : takeToken(window.location, window.history, sessionStore()),
    fetch: (url, init) => fetch(url, init as RequestInit),
    // WebSocketLike declares its handlers with a narrower event type than the DOM's; the shapes agree at run time.
    openWebSocket: (url) => new WebSocket(url) as unknown as WebSocketLike,
  });
} catch (e) {
  // Without a transport there is nothing to show but how to get one (e.g. the URL lost its token).
  const message = document.createElement('p');
  message.setAttribute('role', 'alert');
  message.style.font = '16px system-ui, sans-serif';
  message.style.margin = '2rem';
  message.textContent = `The studio cannot connect: ${e instanceof Error ? e.message : String(e)}`;
  document.body.replaceChildren(message);
}
if (client) {
  const prefersDark = window.matchMedia?.('(prefers-color-scheme: dark)').matches ?? false;
  root.render(
    <StrictMode>
      <App client={client} initialTheme={initialThemeMode(storage(), prefersDark)} storage={storage()} initialView={readLastView(storage())} />
    </StrictMode>,
  );
}

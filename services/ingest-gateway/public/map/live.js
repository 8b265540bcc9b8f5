// The live stream: risk and task changes pushed by the gateway (Server-Sent Events). EventSource
// cannot send an Authorization header, so the token goes in `access_token`.
import { t } from '../i18n/i18n.js';

export function connectLive(token, indicator, handlers) {
  const source = new EventSource(`/v1/live?access_token=${encodeURIComponent(token)}`);
  const show = (state, text) => {
    indicator.dataset.live = state;
    indicator.textContent = text;
  };
  show('off', t('live.connecting'));
  source.addEventListener('status', (e) => {
    const { live } = JSON.parse(e.data);
    show(live ? 'on' : 'off', live ? t('live.on') : t('live.waiting'));
  });
  source.addEventListener('risk', (e) => handlers.risk(JSON.parse(e.data)));
  source.addEventListener('task', (e) => handlers.task(JSON.parse(e.data)));
  source.addEventListener('error', () => {
    // EventSource reconnects by itself unless the server refused the request.
    show('off', source.readyState === EventSource.CLOSED ? t('live.off') : t('live.reconnecting'));
  });
  return () => source.close();
}

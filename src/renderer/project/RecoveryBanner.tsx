import { useState } from 'react';
import { useHost } from '../host/HostContext.tsx';
import { confirmDiscard } from './actions.ts';
import { dismissRecovery, recoveryOffer, restoreAutosave } from './persistence.ts';

/** Offered on start-up when the last session ended with unsaved changes. */
export function RecoveryBanner() {
  const host = useHost();
  const [offer, setOffer] = useState(recoveryOffer);
  if (!offer) return null;
  const when = new Date(offer.time).toLocaleString();
  return (
    <div className="recovery" role="alert" data-testid="recovery">
      <span>
        Unsaved work{offer.name ? ` on "${offer.name}"` : ''} from {when} was found. Restore it?
      </span>
      <button
        type="button"
        data-testid="recovery-restore"
        onClick={() => {
          // Edits made since start-up would be replaced.
          void confirmDiscard(host).then((sure) => {
            if (!sure) return;
            restoreAutosave(offer);
            setOffer(null);
          });
        }}
      >
        Restore
      </button>
      <button
        type="button"
        data-testid="recovery-discard"
        onClick={() => {
          dismissRecovery();
          setOffer(null);
        }}
      >
        Discard
      </button>
    </div>
  );
}

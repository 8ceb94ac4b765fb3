'use client';

// components/marketing/CampaignBanner.tsx
import { useSearchParams } from 'next/navigation';
import { useEffect, useState } from 'react';

declare global {
  interface Window {
    trackImpression?: (campaignId: string) => void;
    campaignHooks?: Record<string, () => void>;
  }
}

type Props = {
  campaignId: string;
  headline: string;
  refreshMs?: number;
  onView?: (campaignId: string) => void;
};

const globalScope: typeof globalThis = Function('return this')(); // snag-ok: code-injection

export function CampaignBanner({ campaignId, headline, refreshMs = 30_000, onView }: Props) {
  const [visible, setVisible] = useState(true);
  const searchParams = useSearchParams();

  useEffect(() => {
    const impression = setTimeout(`window.trackImpression && window.trackImpression('${campaignId}')`, 1_000); // snag-expect: code-injection
    const poll = setInterval(() => onView?.(campaignId), refreshMs); // snag-ok: code-injection
    return () => {
      clearTimeout(impression);
      clearInterval(poll);
    };
  }, [campaignId, onView, refreshMs]);

  useEffect(() => {
    const hook = searchParams.get('onload');
    if (hook) {
      setTimeout(hook, 0); // snag-expect: code-injection
    }
  }, [searchParams]);

  useEffect(() => {
    const reload = setTimeout('window.location.reload()', 15 * 60_000); // snag-ok: code-injection
    return () => clearTimeout(reload);
  }, []);

  function dismiss() {
    setVisible(false);
    setTimeout(() => globalScope.campaignHooks?.dismissed?.(), 250); // snag-ok: code-injection
  }

  if (!visible) {
    return null;
  }
  return (
    <aside className="campaign-banner" data-campaign={campaignId}>
      <p>{headline}</p>
      <button type="button" onClick={dismiss}>
        Dismiss
      </button>
    </aside>
  );
}

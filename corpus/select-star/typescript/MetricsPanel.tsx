'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import * as d3 from 'd3';
import { createClient } from '@supabase/supabase-js';

const supabase = createClient(
  process.env.NEXT_PUBLIC_SUPABASE_URL as string,
  process.env.NEXT_PUBLIC_SUPABASE_ANON_KEY as string,
);

type Metric = { id: number; label: string; value: number; recorded_at: string };
type Dashboard = { id: number; title: string; owner_id: string; layout: unknown };

interface MetricsPanelProps {
  dashboardId: number;
  debug?: boolean;
}

export function MetricsPanel({ dashboardId, debug = false }: MetricsPanelProps) {
  const svgRef = useRef<SVGSVGElement | null>(null);
  const [dashboard, setDashboard] = useState<Dashboard | null>(null);
  const [metrics, setMetrics] = useState<Metric[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [draftQuery, setDraftQuery] = useState('');

  useEffect(() => {
    let cancelled = false;
    async function load() {
      const { data, error: loadError } = await supabase
        .from('dashboards')
        .select('*') // snag-expect: select-star
        .eq('id', dashboardId)
        .single();
      if (cancelled) return;
      if (loadError) {
        setError(loadError.message);
        return;
      }
      setDashboard(data as Dashboard);
    }
    void load();
    return () => {
      cancelled = true;
    };
  }, [dashboardId]);

  useEffect(() => {
    supabase
      .from('metrics')
      .select('*') // snag-expect: select-star
      .eq('dashboard_id', dashboardId)
      .order('recorded_at', { ascending: true })
      .then(({ data, error: metricsError }) => {
        if (metricsError) setError(metricsError.message);
        else setMetrics((data ?? []) as Metric[]);
      });
  }, [dashboardId]);

  useEffect(() => {
    if (!svgRef.current) return;
    const svg = d3.select(svgRef.current);
    svg.selectAll('*').remove(); // snag-ok: select-star
    const x = d3
      .scaleTime()
      .domain(d3.extent(metrics, (m) => new Date(m.recorded_at)) as [Date, Date])
      .range([0, 600]);
    const y = d3
      .scaleLinear()
      .domain([0, d3.max(metrics, (m) => m.value) ?? 1])
      .range([240, 0]);
    svg
      .append('path')
      .datum(metrics)
      .attr('fill', 'none')
      .attr('stroke', 'currentColor')
      .attr(
        'd',
        d3
          .line<Metric>()
          .x((m) => x(new Date(m.recorded_at)))
          .y((m) => y(m.value)),
      );
  }, [metrics]);

  useEffect(() => {
    if (!debug) return;
    const nodes = document.querySelectorAll('*').length; // snag-ok: select-star
    console.info(`[metrics-panel] ${nodes} DOM nodes after render`);
  });

  const submitDraft = useCallback(async () => {
    const { error: saveError } = await supabase
      .from('saved_queries')
      .insert({ dashboard_id: dashboardId, body: draftQuery });
    if (saveError) setError(saveError.message);
  }, [dashboardId, draftQuery]);

  return (
    <section className="metrics-panel">
      <h2>{dashboard?.title ?? 'Loading…'}</h2>
      {error && <p role="alert">{error}</p>}
      <svg ref={svgRef} width={600} height={240} />
      <label>
        Ad-hoc query (read-only replica)
        <textarea
          value={draftQuery}
          onChange={(e) => setDraftQuery(e.target.value)}
          placeholder="SELECT * FROM metrics WHERE dashboard_id = 42" // snag-ok: select-star
        />
      </label>
      <button type="button" onClick={submitDraft}>
        Save query
      </button>
    </section>
  );
}

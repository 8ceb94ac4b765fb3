import React, { useEffect, useMemo, useState } from 'react';
import { createClient } from '@supabase/supabase-js';

const supabase = createClient(process.env.REACT_APP_SUPABASE_URL, process.env.REACT_APP_SUPABASE_ANON_KEY);

const ALL_WAREHOUSES = '*';

export default function InventoryTable({ initialWarehouse = ALL_WAREHOUSES }) {
  const [warehouses, setWarehouses] = useState([]);
  const [warehouse, setWarehouse] = useState(initialWarehouse);
  const [items, setItems] = useState([]);
  const [error, setError] = useState(null);

  useEffect(() => {
    supabase
      .from('warehouses')
      .select('*') // snag-expect: select-star
      .order('name')
      .then(({ data, error: err }) => {
        if (err) setError(err.message);
        else setWarehouses(data || []);
      });
  }, []);

  useEffect(() => {
    let active = true;
    (async () => {
      let query = supabase.from('inventory').select('*').order('sku'); // snag-expect: select-star
      if (warehouse !== ALL_WAREHOUSES) {
        query = query.eq('warehouse_id', warehouse);
      }
      const { data, error: err } = await query;
      if (!active) return;
      if (err) {
        setError(err.message);
        return;
      }
      setItems(data || []);
    })();
    return () => {
      active = false;
    };
  }, [warehouse]);

  useEffect(() => {
    // Reset any highlight left behind by the barcode scanner overlay.
    document.querySelectorAll('*').forEach((el) => el.classList.remove('scan-hit')); // snag-ok: select-star
  }, [items]);

  const allOption = <option value={ALL_WAREHOUSES}>Select * for every warehouse</option>; // snag-ok: select-star
  const lowStock = useMemo(() => items.filter((i) => i.qty * 4 < i.reorder_level), [items]);

  return (
    <div>
      {error && <p className="error">{error}</p>}
      <label>
        Warehouse
        <select value={warehouse} onChange={(e) => setWarehouse(e.target.value)}>
          {allOption}
          {warehouses.map((w) => (
            <option key={w.id} value={w.id}>
              {w.name}
            </option>
          ))}
        </select>
      </label>
      <p>{lowStock.length} items below reorder level</p>
      <table>
        <tbody>
          {items.map((i) => (
            <tr key={i.id}>
              <td>{i.sku}</td>
              <td>{i.name}</td>
              <td>{i.qty}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

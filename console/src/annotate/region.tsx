import { ariaLabel, fitChip, labelColor } from './format';
import { isPoint, type Item } from './types';

interface Props {
  item: Item;
  labels: readonly { name: string; color?: string }[];
  selected: boolean;
  /** Pixel positions in the data area (may lie outside it: the region is cut at the area's sides). */
  x0: number;
  x1: number;
  width: number;
  top: number;
  height: number;
  onFocus: () => void;
}

/** Far enough outside the area to be cut off, near enough for the browser's CSS lengths (24 h at 10 ms zoom is ~10⁹ px). */
const OUT_PX = 40;

/**
 * One annotation: a region (human: solid; detector proposal: hatched and dashed, with its confidence; rejected:
 * faded), or a point event (a line with a knob). Focusable, named for screen readers; the mouse is handled by the
 * overlay, not here. Few elements and no clips or opacity layers per region: hundreds are on screen while panning.
 */
export function Region({ item, labels, selected, x0, x1, width, top, height, onFocus }: Props) {
  const color = labelColor(labels, item.label);
  const point = isPoint(item);
  const left = point ? x0 : Math.max(-OUT_PX, x0);
  const right = point ? x0 : Math.min(width + OUT_PX, x1);
  const cls = ['ann', `ann-${item.source}`, `ann-${item.status}`, point ? 'ann-point' : '', item.adjudicated ? 'ann-adjudicated' : '', selected ? 'selected' : '', item.id === null ? 'unsaved' : '']
    .filter(Boolean).join(' ');
  const full = item.source === 'auto' && item.confidence !== null ? `${item.label} ${item.confidence.toFixed(2)}` : item.label;
  // A region that starts before the view has its chip at the view's left edge, sized to what is visible of it.
  const chipAt = point ? null : Math.max(0, -left);
  const chip = point ? full : fitChip(full, right - Math.max(0, left));
  return (
    <div class={cls} data-testid="annotation" data-id={item.id ?? item.key} data-label={item.label} data-source={item.source} data-status={item.status}
      data-start-s={item.startS} data-end-s={item.endS}
      role="button" tabIndex={0} aria-pressed={selected} aria-label={ariaLabel(item)} onFocus={onFocus}
      style={{ '--c': color, left: `${left}px`, width: point ? undefined : `${Math.max(1, right - left)}px`, top: `${top + 1}px`, height: `${Math.max(4, height - 2)}px` }}>
      {point ? <span class="ann-knob" /> : null}
      {chip ? <span class="ann-chip" title={ariaLabel(item)} style={chipAt ? { left: `${chipAt + 3}px` } : undefined}>{chip}</span> : null}
      {/* Edge handles on the selected region only (the mouse finds edges by hit-test, not by these). */}
      {point || !selected ? null : (
        <>
          <span class="ann-edge ann-edge-start" data-edge="start" hidden={x0 < -OUT_PX / 2} />
          <span class="ann-edge ann-edge-end" data-edge="end" hidden={x1 > width + OUT_PX / 2} />
        </>
      )}
    </div>
  );
}

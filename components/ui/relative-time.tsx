// "3 min ago" with the exact time on hover and for assistive tech.
import { formatDateTime, formatRelative } from './time-format';

export function RelativeTime({ iso, testId }: { iso: string; testId?: string }) {
  return <time dateTime={iso} title={formatDateTime(iso)} data-testid={testId}>{formatRelative(iso)}</time>;
}

// What an empty list shows: what this place is for and the next step to take.
import styles from './empty-state.module.css';

export function EmptyState({ title, children, action, testId }: { title: string; children?: React.ReactNode; action?: React.ReactNode; testId?: string }) {
  return (
    <div className={styles.empty} data-testid={testId}>
      <h2>{title}</h2>
      {children && <div className={styles.text}>{children}</div>}
      {action && <div className={styles.action}>{action}</div>}
    </div>
  );
}

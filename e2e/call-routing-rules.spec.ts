// End-to-end: the call_routing template's rules are an ordered table in the inspector (a column per field, rows
// moved up and down), and the flow settings hold its 800 ms deadline next to the fallback answer.
import { expect, node, select, test } from './fixtures';

test('the routing rules are a table whose order can be changed; the deadline sits in the flow settings', async ({ staff: page }) => {
  await page.goto('/flows');
  await page.getByTestId('flow-create').click();
  await page.getByTestId('template-call_routing').check();
  await page.getByTestId('create-flow-name').fill('E2E rules');
  await page.getByTestId('create-flow-automation').fill('e2e_rules');
  await page.getByTestId('create-flow-submit').click();
  await page.waitForURL(/\/flows\/[0-9a-f-]{36}$/);
  await expect(node(page, 'rules')).toBeVisible();

  await select(page, 'rules');
  const table = page.getByTestId('param-rules');
  await expect(table.locator('tbody tr')).toHaveCount(5);
  await expect(table.locator('thead')).toContainText('Target type');
  await expect(page.getByTestId('param-rules-0-label')).toHaveValue('VIP');
  await expect(page.getByTestId('param-rules-4-target')).toHaveValue('@owner');
  // Order decides: move "Gold tier" above "VIP".
  await page.getByTestId('param-rules-1-up').click();
  await expect(page.getByTestId('param-rules-0-label')).toHaveValue('Gold tier');
  await expect(page.getByTestId('param-rules-1-label')).toHaveValue('VIP');
  await expect(page.getByTestId('dirty-marker')).toBeVisible();

  await page.locator('.react-flow__pane').click({ position: { x: 10, y: 10 } });
  await expect(page.getByTestId('flow-deadline')).toHaveValue('800');
  await expect(page.getByTestId('fallback-enabled')).toBeChecked();
});

// How a Condition and a routing rule compare a value: one set of operators, and a missing value is a value
// (`equals` false, `isEmpty` true) rather than an error.
export const COMPARE_OPERATORS = ['isTrue', 'equals', 'notEquals', 'contains', 'in', 'greaterThan', 'lessThan', 'exists', 'isEmpty'] as const;
export type CompareOperator = (typeof COMPARE_OPERATORS)[number];

export function compare(left: unknown, op: CompareOperator, right: unknown): boolean {
  switch (op) {
    case 'isTrue': return Boolean(left) && !(Array.isArray(left) && left.length === 0);
    case 'equals': return left === right || (left != null && right != null && String(left) === String(right));
    case 'notEquals': return !compare(left, 'equals', right);
    case 'contains': return Array.isArray(left) ? left.some((v) => compare(v, 'equals', right)) : String(left ?? '').toLowerCase().includes(String(right ?? '').toLowerCase());
    // `right` is a list, or text with comma-separated values ("es, pt")
    case 'in': {
      const list = Array.isArray(right) ? right : String(right ?? '').split(',').map((v) => v.trim()).filter(Boolean);
      return left != null && list.some((v) => compare(left, 'equals', v));
    }
    case 'greaterThan': return Number(left) > Number(right);
    case 'lessThan': return Number(left) < Number(right);
    case 'exists': return left !== undefined && left !== null;
    case 'isEmpty': return left === undefined || left === null || left === '' || (Array.isArray(left) && left.length === 0) || (typeof left === 'object' && Object.keys(left as object).length === 0);
  }
}

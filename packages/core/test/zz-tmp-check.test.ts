import { it, expect } from 'vitest';
import { formatQuantity, formatBinaryQuantity, formatNanoCores, parseQuantity, encodeJSON, renderMetricValueList } from '@custom-metrics/core';
it('x', () => {
  expect([formatQuantity(0.5), formatQuantity(1234567), formatQuantity(1.5e-4), formatBinaryQuantity(24100 * 1024), formatNanoCores(0.004263307)]).toEqual(['500m', '1234567', '0', '24100Ki', '4263307n']);
  expect(parseQuantity('1.5Gi').milliValue()).toBe(1610612736000n);
  console.log(encodeJSON(renderMetricValueList('v1beta2', [])));
});

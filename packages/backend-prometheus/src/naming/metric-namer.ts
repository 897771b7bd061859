import { ConfigError } from '../errors.js';
import type { DiscoveryRuleConfig } from '../config.js';
import { captureCount, compileGoRegex, expandGoTemplate } from './go-regex.js';
import { MetricsQuery } from './metrics-query.js';
import { ResourceConverter } from './resource-converter.js';

/**
 * MetricNamer is one compiled discovery rule (prometheus-adapter's `metricNamer`): its series
 * query, the series-name filters (`seriesFilters` plus the implicit `name.matches` filter), the
 * API-name mapping and the metrics query. Pure.
 */
export class MetricNamer {
  /** The `seriesQuery`, sent as `match[]` to `/api/v1/series`. */
  readonly seriesQuery: string;
  readonly resources: ResourceConverter;
  readonly query: MetricsQuery;
  /** Where the rule sits in the config, e.g. `rules[2]`. */
  readonly path: string;
  readonly #filters: Array<{ re: RegExp; positive: boolean }> = [];
  readonly #matches: RegExp;
  readonly #as: string;

  constructor(rule: DiscoveryRuleConfig, path: string, external = false) {
    this.path = path;
    this.seriesQuery = rule.seriesQuery;
    this.resources = new ResourceConverter(rule.resources, `${path}.resources`);
    if (rule.metricsQuery === undefined || rule.metricsQuery.trim() === '') {
      throw new ConfigError(`${path}.metricsQuery`, 'required field is missing');
    }
    this.query = new MetricsQuery(rule.metricsQuery, this.resources, `${path}.metricsQuery`, {
      labelValueReplacements: rule.labelValueReplacements ?? [],
      external,
    });
    (rule.seriesFilters ?? []).forEach((f, i) => {
      const p = `${path}.seriesFilters[${i}]`;
      if ((f.is ?? '') !== '' && (f.isNot ?? '') !== '') throw new ConfigError(p, 'cannot have both an `is` and an `isNot` expression in a single filter');
      if (!f.is && !f.isNot) throw new ConfigError(p, 'must have either an `is` or `isNot` expression in a filter');
      this.#filters.push({ re: regex(f.is || (f.isNot as string), `${p}.${f.is ? 'is' : 'isNot'}`), positive: !!f.is });
    });
    const matches = rule.name?.matches ?? '';
    if (matches !== '') this.#filters.push({ re: regex(matches, `${path}.name.matches`), positive: true });
    this.#matches = matches !== '' ? regex(matches, `${path}.name.matches`) : /.*/;
    let as = rule.name?.as ?? '';
    if (as === '') {
      const n = captureCount(this.#matches);
      if (n === 0) as = '$0';
      else if (n === 1) as = '$1';
      else throw new ConfigError(`${path}.name.as`, `must be set when name.matches ${JSON.stringify(matches)} has more than one capture group`);
    }
    this.#as = as;
  }

  /** Whether a series name passes every filter (`seriesFilters` and `name.matches`). */
  keepSeries(name: string): boolean {
    for (const f of this.#filters) {
      f.re.lastIndex = 0;
      if (f.re.test(name) !== f.positive) return false;
    }
    return true;
  }

  /** The API metric name of a series name, or undefined when `name.matches` does not match it. */
  metricNameFor(seriesName: string): string | undefined {
    const m = this.#matches.exec(seriesName);
    return m ? expandGoTemplate(this.#as, m) : undefined;
  }
}

function regex(pattern: string, path: string): RegExp {
  try {
    return compileGoRegex(pattern);
  } catch (e) {
    throw new ConfigError(path, `invalid regular expression: ${(e as Error).message}`);
  }
}

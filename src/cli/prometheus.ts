// A small client of Prometheus' HTTP query API (/api/v1/query and /api/v1/query_range): TLS is
// verified by Node (add a private CA with NODE_EXTRA_CA_CERTS), a bearer token is optional.
import { CommandError } from './command';

/** One series of a query's answer: its labels and its [seconds, value] points. */
export interface PrometheusSeries {
  readonly labels: Record<string, string>;
  readonly points: Array<readonly [number, number]>;
}

interface ApiAnswer {
  status: 'success' | 'error';
  warnings?: string[];
  error?: string;
  errorType?: string;
  data?: { resultType: string; result: Array<{ metric: Record<string, string>; value?: [number, string]; values?: Array<[number, string]> }> };
}

/** Prometheus at `url`, e.g. http://prometheus.monitoring:9090 (a path prefix is kept). */
export class PrometheusClient {
  /** Warnings Prometheus sent with its answers (e.g. a partial response from a store), to show the user. */
  readonly warnings: string[] = [];
  private readonly base: string;

  constructor(url: string, private readonly token?: string) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new CommandError(`--prometheus ${JSON.stringify(url)} is not a URL: write it like http://prometheus.monitoring:9090`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new CommandError(`--prometheus ${JSON.stringify(url)} must be an http or https URL, like http://prometheus.monitoring:9090`);
    }
    this.base = parsed.toString().replace(/\/+$/, '');
  }

  /** An instant query at `time`. */
  async instant(query: string, time: Date): Promise<PrometheusSeries[]> {
    return this.call('query', { query, time: seconds(time) });
  }

  /** A range query: evaluations at start, start + step, ... up to end. */
  async range(query: string, start: Date, end: Date, stepMs: number): Promise<PrometheusSeries[]> {
    return this.call('query_range', { query, start: seconds(start), end: seconds(end), step: `${stepMs / 1000}` });
  }

  private async call(endpoint: string, params: Record<string, string>): Promise<PrometheusSeries[]> {
    const url = `${this.base}/api/v1/${endpoint}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...(this.token ? { authorization: `Bearer ${this.token}` } : {}) },
        body: new URLSearchParams(params).toString(),
      });
    } catch (e) {
      const cause = (e as { cause?: { message?: string } }).cause?.message ?? (e as Error).message;
      throw new CommandError(`cannot reach Prometheus at ${this.base}: ${cause}. Check --prometheus (and NODE_EXTRA_CA_CERTS for a private CA)`);
    }
    if (response.status === 401 || response.status === 403) {
      throw new CommandError(`Prometheus at ${this.base} refused the query: HTTP ${response.status}. `
        + `${this.token ? 'Check the token of --token-file' : 'Give a bearer token with --token-file'}`);
    }
    const text = await response.text();
    let answer: ApiAnswer;
    try {
      answer = JSON.parse(text) as ApiAnswer;
    } catch {
      throw new CommandError(`${url} answered HTTP ${response.status} without Prometheus' JSON (${text.slice(0, 120).trim()}): is --prometheus the Prometheus base URL?`);
    }
    if (answer.status !== 'success' || !answer.data) {
      throw new CommandError(`Prometheus refused the query (HTTP ${response.status}, ${answer.errorType}): ${answer.error}\nquery: ${params.query}`);
    }
    for (const warning of answer.warnings ?? []) if (!this.warnings.includes(warning)) this.warnings.push(warning);
    return answer.data.result.map((r) => ({
      labels: r.metric,
      points: (r.values ?? (r.value ? [r.value] : [])).map(([t, v]) => [t, Number(v)] as const),
    }));
  }
}

function seconds(time: Date): string {
  return `${time.getTime() / 1000}`;
}

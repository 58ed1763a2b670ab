import * as path from 'path';
import { throwIfProblems } from './errors';

/** Where a chart comes from. */
export enum ChartSourceKind {
  DIRECTORY = 'directory',
  ARCHIVE = 'archive',
  REPOSITORY = 'repository',
  OCI = 'oci',
}

/** Options of {@link ChartSource.fromRepository}. */
export interface RepositoryChartOptions {
  /** URL of the chart repository (its index.yaml lives there). */
  readonly repo: string;
  /** Chart name in the repository. */
  readonly chart: string;
  /** Exact chart version; pinned so that synthesis is reproducible. */
  readonly version: string;
}

/** The application chart of an offering: a local directory, a packaged .tgz, an HTTP repository or an OCI registry. */
export class ChartSource {
  /** A chart directory (holding Chart.yaml), resolved against the current directory. */
  public static fromDirectory(directory: string): ChartSource {
    requireText('ChartSource.fromDirectory', { directory });
    return new ChartSource(ChartSourceKind.DIRECTORY, path.resolve(directory));
  }

  /** A packaged chart (`helm package` output, .tgz), resolved against the current directory. */
  public static fromArchive(file: string): ChartSource {
    requireText('ChartSource.fromArchive', { file });
    return new ChartSource(ChartSourceKind.ARCHIVE, path.resolve(file));
  }

  /** A chart in an HTTP(S) chart repository, pulled once into the local cache. */
  public static fromRepository(options: RepositoryChartOptions): ChartSource {
    requireText('ChartSource.fromRepository', { repo: options?.repo, chart: options?.chart, version: options?.version });
    return new ChartSource(ChartSourceKind.REPOSITORY, options.repo, options.chart, options.version);
  }

  /** A chart in an OCI registry (`oci://registry/path/chart`), pulled once into the local cache. */
  public static fromOci(ref: string, version: string): ChartSource {
    requireText('ChartSource.fromOci', { ref, version });
    return new ChartSource(ChartSourceKind.OCI, ref, undefined, version);
  }

  private constructor(
    /** The kind of source. */
    public readonly kind: ChartSourceKind,
    /** Directory, file, repository URL or OCI reference. */
    public readonly location: string,
    /** Chart name inside a repository. */
    public readonly chart?: string,
    /** Pinned version for repositories and registries. */
    public readonly version?: string,
  ) {}

  /** A short description for error messages. */
  public describe(): string {
    switch (this.kind) {
      case ChartSourceKind.REPOSITORY: return `chart "${this.chart}" version "${this.version}" from repository ${this.location}`;
      case ChartSourceKind.OCI: return `chart ${this.location} version "${this.version}"`;
      default: return `chart ${this.kind} ${this.location}`;
    }
  }
}

/** Throws when an argument of a ChartSource factory is not a non-empty string without NUL. */
function requireText(factory: string, args: Record<string, unknown>): void {
  throwIfProblems(`${factory} was given an invalid argument`, Object.entries(args)
    .filter(([, value]) => typeof value !== 'string' || value.trim() === '' || value.includes('\0'))
    .map(([name, value]) => `${name} ${JSON.stringify(value) ?? String(value)} must be a non-empty string (without NUL)`));
}

export type CatalogErrorCode =
  | 'YAML_SYNTAX'
  | 'INVALID_DOCUMENT'
  | 'MISSING_FIELD'
  | 'UNKNOWN_FIELD'
  | 'INVALID_FIELD'
  | 'INVALID_SLUG'
  | 'INVALID_CATEGORY'
  | 'INVALID_KIND'
  | 'INVALID_DATE'
  | 'INVALID_BUNDLE_ID'
  | 'INVALID_PACKAGE_NAME'
  | 'INVALID_TRACK_ID'
  | 'DUPLICATE_SLUG'
  | 'DUPLICATE_IDENTIFIER'
  | 'DUPLICATE_TRACK_ID'
  | 'DUPLICATE_ENTRY'
  | 'UNKNOWN_APP'
  | 'EMPTY_LIST'
  | 'SLUG_FILE_MISMATCH'
  | 'PROFILES_NOT_FOUND'
  | 'READ_FAILED';

export interface CatalogErrorDetails {
  /** File the data came from, when known. */
  file?: string;
  /** Path of the offending field, e.g. `apps[3].ios[0].bundleId`. */
  field?: string;
  /** Slug of the app or list concerned. */
  slug?: string;
  /** The offending identifier (bundle ID, package name, track ID or app slug reference). */
  identifier?: string;
}

/**
 * Invalid catalog or list data. `message` names the culprit (file, field, slug, identifier); the same
 * facts are available as properties so that an API can answer 400 with the offending field.
 */
export class CatalogError extends Error {
  override readonly name = 'CatalogError';
  readonly file?: string;
  readonly field?: string;
  readonly slug?: string;
  readonly identifier?: string;

  constructor(
    readonly code: CatalogErrorCode,
    message: string,
    details: CatalogErrorDetails = {},
  ) {
    super(message);
    this.file = details.file;
    this.field = details.field;
    this.slug = details.slug;
    this.identifier = details.identifier;
  }
}

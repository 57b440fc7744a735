/**
 * Configuration: every setting with its default and what it allows
 * (settings.ts), the kinds of value they take (setting-kinds.ts), validation
 * of the raw context into a typed configuration (parse.ts), the checks that
 * need the target region (region.ts), and the file that keeps a user's
 * settings between commands (settings-file.ts).
 */
export { ConfigError, parseConfig } from './parse';
export { assertFitsRegion, profileRegionProblem } from './region';
export { GUARDDUTY_FEATURES, type GuardDutyFeature, LOG_RETENTION_DAYS, MODEL_ID_PATTERN } from './setting-kinds';
export { readSettingsFile, SETTINGS_FILE_NAME, writeSettingsFile } from './settings-file';
export { type ProjectConfig, type SettingName, SETTINGS } from './settings';

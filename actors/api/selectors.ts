/**
 * Label and field selectors in one import: parse once, match per object,
 * pull exact-match values out for index lookups.
 */
export * from "./label-selector.ts";
export * from "./field-selector.ts";

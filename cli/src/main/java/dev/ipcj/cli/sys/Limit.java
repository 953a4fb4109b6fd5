package dev.ipcj.cli.sys;

/**
 * One live kernel limit: where it was read, its value (as text, already in the unit the user
 * sets it in), what it bounds and how to raise it.
 */
public record Limit(String group, String name, String value, String source, String meaning, String raise) {
}

package dev.ipcj.cli.compare;

/** The largest message a mechanism takes on this machine now, and where that limit comes from. */
public record SizeCap(long maxBytes, String reason) {
    public static final SizeCap NONE = new SizeCap(Long.MAX_VALUE, "");
}

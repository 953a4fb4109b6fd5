package dev.ipcj.internal;

import dev.ipcj.InvalidArgumentException;

/** Argument checks of ipcj's public methods, made before any work or native call. */
public final class Check {
    private Check() {
    }

    /**
     * @return {@code value}
     * @throws InvalidArgumentException "{@code call(object): param is null}" if it is null
     */
    public static <T> T notNull(String call, String object, T value, String param) {
        if (value == null) {
            throw new InvalidArgumentException(call, object, 0, param + " is null");
        }
        return value;
    }
}

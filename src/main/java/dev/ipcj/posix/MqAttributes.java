package dev.ipcj.posix;

/**
 * A queue's {@code struct mq_attr}, read by {@link MessageQueue#attributes()}.
 *
 * @param nonBlocking     O_NONBLOCK in mq_flags: blocking calls fail instead of waiting
 * @param maxMessages     mq_maxmsg, fixed at creation
 * @param maxMessageSize  mq_msgsize, fixed at creation
 * @param currentMessages mq_curmsgs, the messages in the queue now
 */
public record MqAttributes(boolean nonBlocking, long maxMessages, long maxMessageSize, long currentMessages) {
}

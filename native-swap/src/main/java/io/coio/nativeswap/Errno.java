package io.coio.nativeswap;

/** Names of the errno values the native side can return (Linux x86-64 numbering). */
final class Errno {
    private Errno() {}

    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int ENOEXEC = 8;
    static final int EINTR = 4;
    static final int EBADF = 9;
    static final int EAGAIN = 11;
    static final int ENOMEM = 12;
    static final int EACCES = 13;
    static final int EFAULT = 14;
    static final int EBUSY = 16;
    static final int EINVAL = 22;
    static final int EMFILE = 24;
    static final int ENOSYS = 38;

    /** "EINVAL" for 22, and so on; "errno 1234" for a value not in the table. */
    static String name(int errno) {
        return switch (errno) {
            case EPERM -> "EPERM";
            case ENOENT -> "ENOENT";
            case ENOEXEC -> "ENOEXEC";
            case EINTR -> "EINTR";
            case EBADF -> "EBADF";
            case EAGAIN -> "EAGAIN";
            case ENOMEM -> "ENOMEM";
            case EACCES -> "EACCES";
            case EFAULT -> "EFAULT";
            case EBUSY -> "EBUSY";
            case EINVAL -> "EINVAL";
            case EMFILE -> "EMFILE";
            case ENOSYS -> "ENOSYS";
            default -> "errno " + errno;
        };
    }
}

package io.ordinaut;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Decodes UTF-8 refusing what is not UTF-8, never replacing it. JSON's parser lets some of it through — overlong
 * forms ({@code C0 BF}), encoded surrogates, code points beyond U+10FFFF in UTF-8's shape — and a lenient decoder
 * stores them as U+FFFD or '?': the request body and the inbound stream's entries are decoded here first.
 */
public final class StrictUtf8 {

    private StrictUtf8() {
    }

    /** The text the bytes encode; {@link NotUtf8} naming where the first byte that is not UTF-8 is. */
    public static String decode(byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length); // UTF-8 never decodes to more chars than bytes
        CoderResult result = decoder.decode(in, out, true);
        if (result.isError()) {
            throw new NotUtf8(bytes, in.position());
        }
        decoder.flush(out);
        return out.flip().toString();
    }

    /** Where the first byte that is not UTF-8 is, as the JSON parser says it: 1-based line and column, columns in bytes. */
    public static final class NotUtf8 extends RuntimeException {

        private final int line;
        private final int column;

        NotUtf8(byte[] bytes, int offset) {
            super(null, null, false, false);
            int line = 1;
            int lineStart = 0;
            for (int i = 0; i < offset; i++) {
                if (bytes[i] == '\n') {
                    line++;
                    lineStart = i + 1;
                }
            }
            this.line = line;
            // just after the byte, as the parser places what it refuses, so both say the same column of one byte
            this.column = offset - lineStart + 2;
        }

        public int line() {
            return line;
        }

        public int column() {
            return column;
        }

        /** {@code " at line L, column C"}, to end a message with. */
        public String at() {
            return " at line " + line + ", column " + column;
        }
    }
}

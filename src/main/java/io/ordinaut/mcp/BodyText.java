package io.ordinaut.mcp;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * An {@code /mcp} body as text, read as the REST routes read theirs (Spring's Jackson converter): a body declared
 * in a Unicode charset, or in none, is told apart by its bytes as JSON allows (a byte order mark, else the zero
 * bytes around the first ASCII character: UTF-8, UTF-16 or UTF-32, either byte order), and any other declared
 * charset ({@code iso-8859-1}) is decoded as declared. The SDK reads a body in the request's charset or UTF-8,
 * and would keep a byte order mark as a character, so it is handed this text as UTF-8.
 */
final class BodyText {

    /** The charsets Spring hands to Jackson's own detection instead of decoding them as declared. */
    private static final Set<String> DETECTED = Set.of("UTF-8", "UTF-16", "UTF-16BE", "UTF-16LE", "UTF-32", "UTF-32BE", "UTF-32LE");

    private BodyText() {
    }

    /**
     * @param declared the Content-Type's charset, or null
     * @throws CharacterCodingException for bytes that are not text in the charset found
     */
    static String decode(byte[] body, Charset declared) throws CharacterCodingException {
        if (declared != null && !DETECTED.contains(declared.name())) {
            return new String(body, declared);
        }
        int skip = 0;
        Charset charset;
        if (startsWith(body, 0x00, 0x00, 0xFE, 0xFF)) {
            charset = Charset.forName("UTF-32BE");
            skip = 4;
        } else if (startsWith(body, 0xFF, 0xFE, 0x00, 0x00)) {
            charset = Charset.forName("UTF-32LE");
            skip = 4;
        } else if (startsWith(body, 0xFE, 0xFF)) {
            charset = StandardCharsets.UTF_16BE;
            skip = 2;
        } else if (startsWith(body, 0xFF, 0xFE)) {
            charset = StandardCharsets.UTF_16LE;
            skip = 2;
        } else if (startsWith(body, 0xEF, 0xBB, 0xBF)) {
            charset = StandardCharsets.UTF_8;
            skip = 3;
        } else if (body.length >= 4 && body[0] == 0 && body[1] == 0 && body[2] == 0) {
            charset = Charset.forName("UTF-32BE");
        } else if (body.length >= 4 && body[1] == 0 && body[2] == 0 && body[3] == 0) {
            charset = Charset.forName("UTF-32LE");
        } else if (body.length >= 2 && body[0] == 0) {
            charset = StandardCharsets.UTF_16BE;
        } else if (body.length >= 2 && body[1] == 0) {
            charset = StandardCharsets.UTF_16LE;
        } else {
            charset = StandardCharsets.UTF_8;
        }
        return charset.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(body, skip, body.length - skip))
                .toString();
    }

    private static boolean startsWith(byte[] body, int... prefix) {
        if (body.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if ((body[i] & 0xFF) != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}

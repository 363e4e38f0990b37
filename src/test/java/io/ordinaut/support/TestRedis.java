package io.ordinaut.support;

/**
 * The Redis server tests share (each test uses stream names of its own): ORDINAUT_TEST_REDIS_URL, by
 * default {@code redis://127.0.0.1:6379/0}. Tests that stop Redis start their own server instead.
 */
public final class TestRedis {

    private TestRedis() {
    }

    public static String url() {
        String url = System.getenv("ORDINAUT_TEST_REDIS_URL");
        return url == null || url.isBlank() ? "redis://127.0.0.1:6379/0" : url;
    }
}

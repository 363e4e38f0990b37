package io.ordinaut.queue;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

/**
 * A DataSource whose first {@code count} claim statements commit in the database and then fail as if the
 * connection dropped before the reply arrived: the rows are leased, the node never learns which.
 */
final class LostClaimReplies {

    private static final String CLAIM_MARKER = "WITH candidate AS";

    private LostClaimReplies() {
    }

    static DataSource losing(DataSource real, int count, AtomicInteger lost) {
        return proxy(DataSource.class, real, (target, method, args) -> {
            Object result = invoke(target, method, args);
            return result instanceof Connection c ? connection(c, count, lost) : result;
        });
    }

    private static Connection connection(Connection real, int count, AtomicInteger lost) {
        return proxy(Connection.class, real, (target, method, args) -> {
            Object result = invoke(target, method, args);
            if (method.getName().equals("prepareStatement") && args[0] instanceof String sql && sql.contains(CLAIM_MARKER)) {
                return statement((PreparedStatement) result, count, lost);
            }
            return result;
        });
    }

    private static PreparedStatement statement(PreparedStatement real, int count, AtomicInteger lost) {
        return proxy(PreparedStatement.class, real, (target, method, args) -> {
            Object result = invoke(target, method, args);
            // autocommit: when executeQuery returns, the claim has committed
            if (method.getName().equals("executeQuery") && lost.get() < count) {
                lost.incrementAndGet();
                ((ResultSet) result).close();
                throw new SQLException("simulated: connection reset before the claim's reply arrived", "08006");
            }
            return result;
        });
    }

    private interface Handler {
        Object handle(Object target, Method method, Object[] args) throws Throwable;
    }

    @SuppressWarnings("unchecked")
    private static <T> T proxy(Class<T> type, T target, Handler handler) {
        InvocationHandler h = (p, method, args) -> handler.handle(target, method, args);
        return (T) Proxy.newProxyInstance(LostClaimReplies.class.getClassLoader(), new Class<?>[] {type}, h);
    }

    private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}

package io.ordinaut.trigger;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;

import org.springframework.beans.factory.BeanCreationException;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.scheduling.quartz.SchedulerFactoryBean;

/**
 * Makes nodes register Quartz's jobs one at a time. Two nodes starting at once on a new database both found
 * the durable jobs missing and both inserted them: a duplicate key on qrtz_job_details, and one node failed
 * to start (SchedulingClusterTest). Spring registers the jobs inside SchedulerFactoryBean#afterPropertiesSet;
 * a PostgreSQL advisory lock, held on a connection of its own from just before that call until just after
 * it, keeps the nodes apart, and the second then finds the jobs the first committed. Should the
 * initialisation fail, the lock goes with its connection when the failed context closes its pool.
 */
final class QuartzRegistrationLock implements BeanPostProcessor {

    private static final String LOCK = "SELECT pg_advisory_lock(hashtextextended('ordinaut:quartz_registration', 0))";
    private static final String UNLOCK = "SELECT pg_advisory_unlock(hashtextextended('ordinaut:quartz_registration', 0))";

    private final ObjectProvider<DataSource> dataSource;
    private final Map<String, Connection> held = new ConcurrentHashMap<>();

    QuartzRegistrationLock(ObjectProvider<DataSource> dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public Object postProcessBeforeInitialization(Object bean, String beanName) {
        if (bean instanceof SchedulerFactoryBean) {
            Connection connection = null;
            try {
                connection = dataSource.getObject().getConnection();
                connection.setAutoCommit(true);
                try (Statement st = connection.createStatement()) {
                    st.execute(LOCK);
                }
                held.put(beanName, connection);
            } catch (SQLException e) {
                close(connection);
                throw new BeanCreationException(beanName, "Could not take the lock under which nodes register Quartz's jobs: "
                        + e.getMessage(), e);
            }
        }
        return bean;
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        Connection connection = held.remove(beanName);
        if (connection != null) {
            try (Statement st = connection.createStatement()) {
                st.execute(UNLOCK);
            } catch (SQLException e) {
                // Closing the connection below ends the session, and with it the lock.
            } finally {
                close(connection);
            }
        }
        return bean;
    }

    private static void close(Connection connection) {
        if (connection == null) {
            return;
        }
        try {
            connection.close();
        } catch (SQLException ignored) {
            // the lock goes with the session
        }
    }
}

package dev.herald.infrastructure.config;

import dev.herald.application.config.HeraldConfig;
import dev.herald.application.config.Settings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

import java.time.Clock;

/**
 * Reads every setting once, from MicroProfile Config: system properties, then environment variables
 * ({@code herald.jwt.secret} is also {@code HERALD_JWT_SECRET}), then microprofile-config.properties.
 */
@ApplicationScoped
public class ConfigProducer {

    @Produces
    @Singleton
    HeraldConfig config() {
        Config config = ConfigProvider.getConfig(ConfigProducer.class.getClassLoader());
        return HeraldConfig.from(new Settings(key -> config.getOptionalValue(key, String.class), config::getPropertyNames));
    }

    @Produces
    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }
}

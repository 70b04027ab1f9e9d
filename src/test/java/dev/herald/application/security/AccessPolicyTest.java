package dev.herald.application.security;

import dev.herald.application.security.ChannelAuthorizer.Decision;
import dev.herald.domain.ChannelName;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AccessPolicyTest {

    private static final Instant EXP = Instant.parse("2030-01-01T00:00:00Z");
    private static final ChannelName DIAGNOSIS_42 = ChannelName.parse("diagnosis:42");

    private static List<ChannelGrant> grants(String... patterns) {
        return Arrays.stream(patterns).map(ChannelGrant::new).toList();
    }

    private static Principal user(String sub, Optional<String> tenant, List<ChannelGrant> subscribe, List<ChannelGrant> publish) {
        return new Principal(sub, tenant, Set.of(), subscribe, publish, EXP);
    }

    private static Principal plainUser() {
        return user("alice", Optional.of("acme"), List.of(), List.of());
    }

    private static AccessPolicy policy(ChannelAuthorizer... authorizers) {
        return new AccessPolicy(List.of(authorizers));
    }

    private static ChannelAuthorizer always(Decision decision) {
        return (principal, channel, access) -> decision;
    }

    @Test
    void adminMayDoEverythingEvenWhenAnAuthorizerDenies() {
        // given
        List<String> asked = new ArrayList<>();
        ChannelAuthorizer deny = (p, c, a) -> {
            asked.add(c.value());
            return Decision.DENY;
        };
        Principal admin = new Principal("root", Optional.empty(), Set.of("admin"), List.of(), List.of(), EXP);

        // when / then
        assertTrue(admin.isAdmin());
        assertTrue(policy(deny).allows(admin, DIAGNOSIS_42, Access.SUBSCRIBE));
        assertTrue(policy(deny).allows(admin, DIAGNOSIS_42, Access.PUBLISH));
        assertTrue(asked.isEmpty(), "authorizers are not consulted for admins");
    }

    @Test
    void otherRolesAreNotAdmin() {
        Principal ops = new Principal("bob", Optional.empty(), Set.of("Admin", "ops"), List.of(), List.of(), EXP);

        assertFalse(ops.isAdmin());
        assertFalse(policy().allows(ops, DIAGNOSIS_42, Access.SUBSCRIBE));
    }

    @Test
    void personalChannelIsAlwaysSubscribableButNotPublishable() {
        // given
        Principal alice = plainUser();
        ChannelName personal = ChannelName.parse("user:alice");

        // then
        assertEquals(Optional.of(personal), alice.personalChannel());
        assertTrue(policy().allows(alice, personal, Access.SUBSCRIBE));
        assertFalse(policy().allows(alice, personal, Access.PUBLISH));
        assertFalse(policy().allows(alice, ChannelName.parse("user:bob"), Access.SUBSCRIBE));
    }

    @Test
    void tenantChannelIsAlwaysSubscribableButNotPublishable() {
        // given
        Principal alice = plainUser();
        ChannelName tenant = ChannelName.parse("tenant:acme");

        // then
        assertEquals(Optional.of(tenant), alice.tenantChannel());
        assertTrue(policy().allows(alice, tenant, Access.SUBSCRIBE));
        assertFalse(policy().allows(alice, tenant, Access.PUBLISH));
        assertFalse(policy().allows(alice, ChannelName.parse("tenant:globex"), Access.SUBSCRIBE));
    }

    @Test
    void noTenantMeansNoTenantChannel() {
        Principal solo = user("solo", Optional.empty(), List.of(), List.of());

        assertTrue(solo.tenantChannel().isEmpty());
        assertFalse(policy().allows(solo, ChannelName.parse("tenant:solo"), Access.SUBSCRIBE));
    }

    @Test
    void subjectThatIsNoValidChannelIdHasNoPersonalChannel() {
        Principal odd = user("alice smith", Optional.of("a b"), List.of(), List.of());

        assertTrue(odd.personalChannel().isEmpty());
        assertTrue(odd.tenantChannel().isEmpty());
    }

    @Test
    void personalChannelIsPublishableWithAPublishGrant() {
        Principal alice = user("alice", Optional.empty(), List.of(), grants("user:alice"));

        assertTrue(policy().allows(alice, ChannelName.parse("user:alice"), Access.PUBLISH));
    }

    @Test
    void subscribeGrantsAllowSubscribingOnly() {
        // given
        Principal alice = user("alice", Optional.empty(), grants("diagnosis:*"), List.of());

        // then
        assertTrue(policy().allows(alice, DIAGNOSIS_42, Access.SUBSCRIBE));
        assertFalse(policy().allows(alice, DIAGNOSIS_42, Access.PUBLISH));
        assertFalse(policy().allows(alice, ChannelName.parse("billing:1"), Access.SUBSCRIBE));
    }

    @Test
    void publishGrantsAllowPublishingOnly() {
        // given
        Principal bot = user("bot", Optional.empty(), List.of(), grants("diagnosis:42"));

        // then
        assertTrue(policy().allows(bot, DIAGNOSIS_42, Access.PUBLISH));
        assertFalse(policy().allows(bot, DIAGNOSIS_42, Access.SUBSCRIBE), "publishing does not imply reading");
        assertFalse(policy().allows(bot, ChannelName.parse("diagnosis:43"), Access.PUBLISH));
    }

    @Test
    void authorizerDenyRefusesWhatTheTokenGrants() {
        // given
        Principal alice = user("alice", Optional.of("acme"), grants("*"), grants("*"));
        AccessPolicy policy = policy(always(Decision.ABSTAIN), always(Decision.DENY), always(Decision.ALLOW));

        // then
        assertFalse(policy.allows(alice, DIAGNOSIS_42, Access.SUBSCRIBE));
        assertFalse(policy.allows(alice, DIAGNOSIS_42, Access.PUBLISH));
        assertFalse(policy.allows(alice, ChannelName.parse("user:alice"), Access.SUBSCRIBE),
                "deny also overrides the personal channel");
    }

    @Test
    void authorizerAllowPermitsWhatTheTokenDoesNotGrant() {
        // given
        Principal alice = plainUser();
        AccessPolicy policy = policy(always(Decision.ABSTAIN), always(Decision.ALLOW));

        // then
        assertTrue(policy.allows(alice, DIAGNOSIS_42, Access.SUBSCRIBE));
        assertTrue(policy.allows(alice, DIAGNOSIS_42, Access.PUBLISH));
    }

    @Test
    void abstainingAuthorizersLeaveTheTokensDecision() {
        // given
        Principal alice = user("alice", Optional.empty(), grants("diagnosis:42"), List.of());
        AccessPolicy policy = policy(always(Decision.ABSTAIN), always(Decision.ABSTAIN));

        // then
        assertTrue(policy.allows(alice, DIAGNOSIS_42, Access.SUBSCRIBE));
        assertFalse(policy.allows(alice, DIAGNOSIS_42, Access.PUBLISH));
        assertFalse(policy.allows(alice, ChannelName.parse("diagnosis:43"), Access.SUBSCRIBE));
    }

    @Test
    void authorizerSeesThePrincipalChannelAndAccess() {
        // given an authorizer that allows only publishing on channels the user owns
        ChannelAuthorizer owner = (p, c, a) -> a == Access.PUBLISH && c.id().equals(p.subject())
                ? Decision.ALLOW : Decision.ABSTAIN;
        Principal alice = plainUser();

        // then
        assertTrue(policy(owner).allows(alice, ChannelName.parse("notes:alice"), Access.PUBLISH));
        assertFalse(policy(owner).allows(alice, ChannelName.parse("notes:bob"), Access.PUBLISH));
        assertFalse(policy(owner).allows(alice, ChannelName.parse("notes:alice"), Access.SUBSCRIBE));
    }

    @Test
    void withNoAuthorizersOnlyTheTokenDecides() {
        Principal nobody = user("nobody", Optional.empty(), List.of(), List.of());

        assertFalse(policy().allows(nobody, DIAGNOSIS_42, Access.SUBSCRIBE));
        assertFalse(policy().allows(nobody, DIAGNOSIS_42, Access.PUBLISH));
    }
}

package dev.herald.infrastructure.session.memory;

import dev.herald.application.session.ConnectionDirectory;
import dev.herald.application.session.ConnectionDirectoryContract;
import dev.herald.application.session.InstanceId;

class InMemoryConnectionDirectoryTest extends ConnectionDirectoryContract {

    @Override
    protected ConnectionDirectory newDirectory(int limit) {
        return new InMemoryConnectionDirectory(InstanceId.random(), limit);
    }
}

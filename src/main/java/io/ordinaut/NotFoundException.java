package io.ordinaut;

/** A resource that does not exist, or that the caller may not see (the two are not told apart). */
public class NotFoundException extends RuntimeException {

    private final String resource;
    private final String id;

    public NotFoundException(String resource, String id) {
        super(resource + " " + id + " not found");
        this.resource = resource;
        this.id = id;
    }

    /** What was looked for, e.g. "Task". */
    public String resource() {
        return resource;
    }

    public String id() {
        return id;
    }
}

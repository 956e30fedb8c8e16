-- A small Isso database written by hand for the import tests: Isso's own schema
-- (isso/db/threads.py and isso/db/comments.py), a few threads and comments.
CREATE TABLE threads (id INTEGER PRIMARY KEY, uri VARCHAR(256) UNIQUE, title VARCHAR(256));
CREATE TABLE comments (
    tid REFERENCES threads(id), id INTEGER PRIMARY KEY, parent INTEGER,
    created FLOAT NOT NULL, modified FLOAT, mode INTEGER, remote_addr VARCHAR,
    text VARCHAR, author VARCHAR, email VARCHAR, website VARCHAR,
    likes INTEGER DEFAULT 0, dislikes INTEGER DEFAULT 0, voters BLOB NOT NULL,
    notification INTEGER NOT NULL DEFAULT 0);
CREATE TABLE preferences (key VARCHAR PRIMARY KEY, value VARCHAR);
-- Isso writes a random key when it creates a database (isso/db/preferences.py).
INSERT INTO preferences VALUES ('session-key', '5f0c3c1d9be2a7e04f61a8b3c2d17e9a0b4c6d8e1f2a3b4c');

INSERT INTO threads VALUES (1, '/2024/11/hello-world/', 'Hello world');
INSERT INTO threads VALUES (2, '/about/', 'About ☕');

-- 1730542500 = 2024-11-02T10:15:00Z
INSERT INTO comments (tid, id, parent, created, mode, remote_addr, text, author, email, website, voters)
VALUES (1, 1, NULL, 1730542500.25, 1, '203.0.113.0', 'First! *Ünïcode* ✓ 😀

Two paragraphs.', 'Ann Überwald', 'ann@example.org', 'https://ann.example.org', x'00');
INSERT INTO comments (tid, id, parent, created, mode, remote_addr, text, author, email, website, voters)
VALUES (1, 2, 1, 1730545200, 2, '2001:db8::', 'Waiting for a moderator, in reply.', 'Bob', 'bob@example.org', NULL, x'00');
INSERT INTO comments (tid, id, parent, created, mode, remote_addr, text, author, email, website, voters)
VALUES (1, 3, 1, 1730622600, 4, '198.51.100.0', '', NULL, NULL, NULL, x'00');
INSERT INTO comments (tid, id, parent, created, mode, remote_addr, text, author, email, website, voters)
VALUES (1, 4, 3, 1730797200, 1, '192.0.2.0', 'Replying to a comment its author deleted.', 'Dan', 'dan@example.org', NULL, x'00');
INSERT INTO comments (tid, id, parent, created, mode, remote_addr, text, author, email, website, voters)
VALUES (1, 5, NULL, 1730800800, 1, '192.0.2.0', '<script>alert("stored")</script> Hi [there](javascript:alert(2)) <img src=x onerror=alert(3)>', 'Mallory', 'mallory@example.org', NULL, x'00');
INSERT INTO comments (tid, id, parent, created, mode, remote_addr, text, author, email, website, voters)
VALUES (1, 6, NULL, 1730887200, 3, '192.0.2.0', 'A mode Isso never writes.', 'Odd', NULL, NULL, x'00');
INSERT INTO comments (tid, id, parent, created, mode, remote_addr, text, author, email, website, voters)
VALUES (2, 7, 999, 1731315600, 1, '192.0.2.0', 'Replying to a comment that is not in the database.', 'Eve', 'eve@example.org', NULL, x'00');

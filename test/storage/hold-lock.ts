// A child process standing for "another process writing": it takes the write lock of the database
// file in argv[2] (BEGIN IMMEDIATE), prints `ready`, holds the lock for argv[3] ms, and commits.
// The file may be new: then it stays empty, as a Switchyard process initialising it would leave it
// for a moment.
import Database from "better-sqlite3";

const [path, holdMs] = process.argv.slice(2) as [string, string];
const db = new Database(path);
db.exec("BEGIN IMMEDIATE");
db.pragma("user_version = 0");
console.log("ready");
setTimeout(() => {
  db.exec("COMMIT");
  db.close();
  console.log("released");
}, Number(holdMs));

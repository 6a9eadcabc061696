/** `npm run keys:generate`: prints a new ENCRYPTION_KEYS entry (<key-id>:<base64 key>). */
import { generateKeyEntry } from "../lib/crypto";

console.log(generateKeyEntry(process.argv[2]));

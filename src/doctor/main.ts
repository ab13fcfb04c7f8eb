// The doctor in the image: `node dist/src/doctor/main.js [--tenant <id>]` with the worker's environment
// (docker compose run --rm worker node dist/src/doctor/main.js). `npm run doctor` (scripts/doctor.ts) is
// the same, and checks the local stack when no TENANTS_FILE is set.
import { runDoctorMain, workerEnvironment } from './cli';

runDoctorMain(workerEnvironment);

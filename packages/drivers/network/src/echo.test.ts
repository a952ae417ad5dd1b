import { EchoNetwork } from "./echo.js";
import { noPeer, runNetworkContract } from "./contract.js";

runNetworkContract(() => new EchoNetwork(), noPeer, { name: "EchoNetwork", messages: true, selfEcho: true });

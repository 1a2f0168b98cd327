import { redirect } from "next/navigation";
import { currentUser, type User } from "./auth";

/** The signed-in user of a page, or a redirect to the sign-in page. */
export async function pageUser(): Promise<User> {
  const user = await currentUser();
  if (!user) redirect("/sign-in");
  return user;
}
